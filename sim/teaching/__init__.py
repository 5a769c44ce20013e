"""For a class: runs told as stories, counterfactual history, the dashboard.

``narrate`` tells a run as dated sentences; ``counterfactual`` (with
``counterfactual_report`` and ``counterfactual_figures``) runs a changed
scenario beside its base on the same seeds; ``dashboard/`` is the Solara page.

May import: every other part of ``sim``. Nothing imports it but the commands.
"""
