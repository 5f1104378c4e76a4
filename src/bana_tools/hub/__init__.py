"""A JupyterHub for the course: students, instructors and graders on one machine.

* :mod:`.settings`: what a class hub is made of (roster, folders, gradebook URL, ports),
  as one validated file, ``hub.json``, in the hub's state folder.
* :mod:`.prepare`: makes the hub's folders, the nbgrader configuration every user's server
  reads, the grader account's course folder and (as root) the system users.
* :mod:`.config`: applies the settings to JupyterHub's ``c`` (authenticator, spawner,
  groups and roles for nbgrader's ``JupyterHubAuthPlugin``, the formgrader service).

``autograding/hub/jupyterhub_config.py`` is the file JupyterHub loads; ``bana course hub``
prepares a hub folder and starts JupyterHub with it on loopback.
"""
