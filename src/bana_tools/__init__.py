"""bana-tools: the Jupyter-native companion to *Machine Learning Design for Business*.

Subpackages are imported lazily by their users; importing :mod:`bana_tools` itself is cheap
and pulls in no third-party library.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
