"""After evaluation, before reporting: suppressions, baselines and changed lines.

Each module takes findings (and the source text or git's view of it) and says
which of them count; none of them judges resources.
"""
