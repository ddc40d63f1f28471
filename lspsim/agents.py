"""PartnerOrganisation: one organisation on the partnership, as a Mesa agent.

Pairwise state (trust, ties, chain links) lives in arrays the model owns; an agent reads its own
row by ``index``. Agents are not stepped one by one: the model's mechanisms act on all partners
at once (docs/ODD.md, 'Design concepts')."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from lspsim.model import PartnershipModel


class PartnerOrganisation(mesa.Agent):
    """A member organisation of the LSP and its representative."""

    def __init__(self, model: PartnershipModel, index: int, kind: str, name: str) -> None:
        super().__init__(model)
        self.index = index
        self.kind = kind
        self.name = name

    # Static attributes (set at construction, read from the model's arrays)
    @property
    def tier(self) -> str:
        return ("area", "county", "district")[int(self.model.tier[self.index])]

    @property
    def statutory(self) -> bool:
        return bool(self.model.statutory[self.index])

    @property
    def budget(self) -> float:
        """Mainstream budget, GBP m/year."""
        return float(self.model.budget[self.index])

    @property
    def stake_in_success(self) -> float:
        return float(self.model.stake_in_success[self.index])

    @property
    def stake_in_failure(self) -> float:
        return float(self.model.stake_in_failure[self.index])

    @property
    def capacity(self) -> float:
        return float(self.model.capacity[self.index])

    @property
    def data_quality(self) -> float:
        return float(self.model.data_quality[self.index])

    @property
    def openness(self) -> float:
        return float(self.model.openness[self.index])

    @property
    def themes(self) -> list[str]:
        return list(self.model.partner_themes[self.index])

    @property
    def seats(self) -> dict[str, bool]:
        from lspsim.mechanisms.layers import LAYER_NAMES

        return {name: bool(self.model.seat_matrix[self.index, k])
                for k, name in enumerate(LAYER_NAMES)}

    # Dynamic state
    @property
    def commitment(self) -> float:
        """Share of capacity and budget aligned to joint priorities (0-1)."""
        return float(self.model.commitment[self.index])

    @property
    def voice(self) -> float:
        return float(self.model.voice[self.index])

    @property
    def effective_capacity(self) -> float:
        return float(self.model.effective_capacity[self.index])

    @property
    def contribution(self) -> float:
        """Pooled-pot share plus aligned mainstream money, GBP m/year."""
        return float(self.model.contribution()[self.index])

    def trust_in(self, other: PartnerOrganisation) -> float:
        return float(self.model.trust[self.index, other.index])

    @property
    def trust_row(self) -> np.ndarray:
        return self.model.trust[self.index].copy()

    @property
    def ties(self) -> np.ndarray:
        return self.model.ties[self.index].copy()

    def __repr__(self) -> str:
        return f"PartnerOrganisation({self.name!r}, commitment={self.commitment:.2f})"
