"""The calibration file a researcher writes (``calibrations/*.yaml``), as a pydantic schema.

The file names the scenario to fit, the parameters to fit with their priors, the observed targets with
their uncertainty and the budget of runs; ``docs/calibration.md`` describes every key. This module knows the
keys, their types, defaults and ranges; :mod:`.plan` resolves them against the scenario and the observed
file. Every error is an :class:`~model.errors.InputError` ``FILE:LINE: field: problem; allowed``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from ..errors import Checked as _Checked

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]*$"
#: how the model measures an observed share (see docs/calibration.md)
Measure = Literal["in_use", "adopted", "not_in_use"]
PriorKind = Literal["uniform", "loguniform", "normal"]


class Checked(_Checked):
    """The package's number checks, and no NaN or infinity in any number of a calibration file: a prior
    bound, a discrepancy or a tolerance that is not finite cannot be fitted (NaN compares false with every
    bound, so range checks alone let it through)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


class Prior(Checked):
    """One parameter to fit: a dotted scenario path and its prior. A plain string is short for ``{path: ...}``:
    uniform over the parameter's range in ``model.parameters``."""

    path: str = Field(min_length=1, description="dotted path in the scenario, e.g. parameters.p_external")
    prior: PriorKind = "uniform"
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0.0)

    @model_validator(mode="after")
    def _numbers_fit_the_prior(self) -> "Prior":
        if self.prior != "normal" and (self.mean is not None or self.sd is not None):
            raise ValueError(f"'mean' and 'sd' belong to prior 'normal' (this one is '{self.prior}')")
        if self.prior == "normal" and (self.mean is None or self.sd is None):
            raise ValueError("prior 'normal' needs 'mean' and 'sd' (it is cut to low-high, by default the "
                             "parameter's range)")
        return self


class Series(Checked):
    """One observed series to fit, and how the model measures it. A plain string is short for
    ``{series: ...}``: the innovation of the same name, measured ``in_use``."""

    series: str = Field(min_length=1, description="the observed file's 'innovation' column")
    innovation: str | list[str] | None = Field(None, description="the scenario's innovation(s); default: series")
    measure: Measure = "in_use"
    years: list[int] | None = Field(None, min_length=1)
    discrepancy: float | None = Field(None, ge=0.0, le=0.5)
    by_size: bool = Field(False, description="also fit the series' shares by municipal size band (the "
                                             "package's welfare_technology_by_size.csv)")

    @field_validator("innovation")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError("give at least one innovation")
        return value


class Targets(Checked):
    """The observed points fitted and their uncertainty."""

    observed: str | None = Field(None, description="observed CSV file (default: the package's)")
    discrepancy: float = Field(0.05, ge=0.0, le=0.5, description="model-discrepancy standard deviation (share)")
    quarter: int = Field(1, ge=1, le=4, description="the survey quarter of a year: the state at its end is compared")
    series: list[Series] = Field(min_length=1)

    @field_validator("series", mode="before")
    @classmethod
    def _series_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"series": v} if isinstance(v, str) else v for v in value]
        return value


class Budget(Checked):
    """How many runs the fit may use and how they are spent (ABC-SMC with pyabc)."""

    runs: int = Field(20_000, ge=10, le=100_000_000, description="most model runs, prior sample included")
    population: int = Field(500, ge=10, le=1_000_000, description="accepted parameter sets per generation")
    generations: int = Field(12, ge=1, le=200, description="most generations")
    min_acceptance_rate: float = Field(0.005, ge=0.0, lt=1.0)
    tolerance: float | None = Field(None, gt=0.0, description="stop once the tolerance is below this "
                                    "(default: the square root of the number of targets)")
    replications: int = Field(1, ge=1, le=1000, description="runs averaged per parameter set")


class EnsembleSize(Checked):
    """The posterior ensemble written after the fit."""

    draws: int = Field(40, ge=1, le=100_000)
    replications: int = Field(5, ge=1, le=100_000)
    include: Literal["model", "all"] = Field(
        "model", description="model: only the model parameters (parameters.*), which every scenario has; "
                             "all: every fitted path (innovations, events, levers of the fitted scenario too)")


class Calibration(Checked):
    """A calibration file; see ``docs/calibration.md`` for every key."""

    name: str | None = Field(None, pattern=NAME_PATTERN)
    description: str = ""
    scenario: str = Field(min_length=1)
    seed: int = Field(20240101, ge=0, lt=2**63)
    parameters: list[Prior] = Field(min_length=1)
    targets: Targets
    budget: Budget = Field(default_factory=Budget)
    ensemble: EnsembleSize = Field(default_factory=EnsembleSize)

    @field_validator("parameters", mode="before")
    @classmethod
    def _prior_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"path": v} if isinstance(v, str) else v for v in value]
        return value
