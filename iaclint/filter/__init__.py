"""After evaluation, before reporting: suppressions, baselines, and what is new since
a merge base.

Each module takes findings (and the source text or git's view of it) and says
which of them count; none of them judges resources.
"""
