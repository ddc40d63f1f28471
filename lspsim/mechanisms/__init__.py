"""Mechanisms: small pure functions over arrays, one module each, run in the order that
``PartnershipModel.step`` lists (docs/ODD.md, 'Process overview and scheduling')."""
