"""A teaching dashboard written with Solara: ``python -m sim.dashboard``.

Choose a scenario and each government's retaliation and thaw rules, set their
parameters, then step, play and reset while tension, channel status, regional
alignment and the event log update live. Importing this package starts
nothing; ``sim.teaching.dashboard.app`` holds the page, ``sim.teaching.dashboard.model`` the model
factory.
"""

# Read by the page when it opens: the scenario it starts with (set by ``--scenario``).
SCENARIO_ENV = "SIM_DASHBOARD_SCENARIO"
