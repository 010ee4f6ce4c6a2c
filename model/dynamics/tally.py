"""What the life cycle counts each quarter: the columns of ``record.tally`` (steps, len(TALLY)), and their
indices, which the compiled life cycle adds to (:mod:`model.dynamics.lifecycle`, :mod:`model.dynamics.moves`).
The summary outcomes read these (:mod:`model.outcomes.collect`)."""

from __future__ import annotations

TALLY = ("pilots_started", "pilots_scaled", "pilots_stalled", "adoptions_dropped",
         "adoptions_lost_no_enthusiast", "adoptions_lost_no_protector", "adopted",
         "pilots_disappointed", "pilots_stalled_no_champion", "pilots_stalled_reprioritised",
         "pilots_stalled_no_money", "adoptions_lost_no_money", "adoptions_lost_disappointed", "pilots_funded",
         # where money binds (model.economy): pilot quarters and scale-up or running-cost quarters that waited
         # for money, and pilot starts the start hazard drew that money stopped; MSEK paid by each payer
         "money_waiting_pilot_quarters", "money_waiting_adoption_quarters", "money_blocked_pilot_starts",
         "money_own_msek", "money_grant_msek", "money_state_grant_msek", "money_event_msek")
(STARTED, SCALED, STALLED_, DROPPED_, LOST_NO_ENTHUSIAST, LOST_NO_PROTECTOR, ADOPTED_COUNT, DISAPPOINTED,
 STALLED_NO_CHAMPION, STALLED_REPRIORITISED, STALLED_NO_MONEY, LOST_NO_MONEY, LOST_DISAPPOINTED,
 FUNDED, WAIT_PILOT, WAIT_ADOPTION, BLOCKED_START, PAID_OWN, PAID_GRANT, PAID_STATE_GRANT,
 PAID_EVENT) = range(len(TALLY))
