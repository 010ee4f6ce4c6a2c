"""The one base of every input schema (scenarios, lever entries, experiments): unknown keys are errors.

Every file a user writes is validated against a pydantic model derived from :class:`Strict`, so a misspelt
key is an error naming the key (see :mod:`model.errors`), never silently ignored.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A pydantic model that forbids unknown keys and validates values assigned after construction.

    Its validator is built when the model first validates something, not when its class is defined
    (``defer_build``): a command builds the schemas of the models it reads — ``spridning validate`` of a
    scenario without levers none of the levers' — and importing them costs a third less."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)
