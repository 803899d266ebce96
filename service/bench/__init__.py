"""``acuplan bench``: the scoreboard over the trace suite (``run``) and its report (``report``)."""
