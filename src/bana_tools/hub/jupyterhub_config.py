"""JupyterHub configuration of the BANA 7085 class hub.

``bana course hub`` writes the hub's settings (roster, folders, gradebook URL, ports) to
``<hub folder>/hub.json`` and starts JupyterHub with this file, which ships inside the
package (it is not a module to import). JupyterHub can also be started by hand:
``BANA_HUB_SETTINGS=/srv/bana-hub/hub.json jupyterhub -f <this file>``
(``python -c "import bana_tools.hub as h; print(h.CONFIG_FILE)"`` prints its path).
What it sets up is described in ``bana_tools.hub.config``; site settings (TLS, another
authenticator) go in a file named by ``extra_config`` in hub.json, not here.
"""

import os

from bana_tools.hub.config import configure
from bana_tools.hub.settings import load_settings

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file
configure(c, load_settings(os.environ.get("BANA_HUB_SETTINGS", "hub.json")))
