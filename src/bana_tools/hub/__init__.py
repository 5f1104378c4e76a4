"""A JupyterHub for the course: students, instructors and graders on one machine.

* :mod:`.settings`: what a class hub is made of (roster, folders, gradebook URL, ports),
  as one validated file, ``hub.json``, in the hub's state folder.
* :mod:`.prepare`: makes the hub's folders, the nbgrader configuration every user's server
  reads, the grader account's course folder and (as root) the system users.
* :mod:`.config`: applies the settings to JupyterHub's ``c`` (authenticator, spawner,
  groups and roles for nbgrader's ``JupyterHubAuthPlugin``, the formgrader service).

``jupyterhub_config.py`` beside this file (:data:`CONFIG_FILE`) is the file JupyterHub
loads; ``bana course hub`` prepares a hub folder and starts JupyterHub with it.
``autograding/hub/`` holds the proxy's npm pin and the Kubernetes recipe.
"""

from pathlib import Path

#: The configuration file JupyterHub loads (``jupyterhub -f``).
CONFIG_FILE = Path(__file__).with_name("jupyterhub_config.py")
