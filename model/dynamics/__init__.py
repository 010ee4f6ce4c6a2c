"""The dynamics of a run, compiled: people and money (:mod:`.people`), the innovation life cycle
(:mod:`.lifecycle`) and the loop over quarters that strings them together with the tie signals
(:mod:`.quarters`). Each works on the arrays of a :class:`model.context.RunContext`, never on the model."""
