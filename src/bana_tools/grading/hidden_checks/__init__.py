"""Hidden checks of one exercise each (``<declaration module name>.py``, a ``HIDDEN`` dict).

Imported only while grading, like :mod:`bana_tools.grading.hidden`; see
:func:`bana_tools.grading.hidden.hidden_check`.
"""
