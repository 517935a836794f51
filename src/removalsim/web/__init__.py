"""The web explorer: a FastAPI JSON API and a single page of sliders and charts.

Start it with ``removalsim serve``; build the app in Python with
:func:`removalsim.web.app.create_app`. Importing this package imports nothing heavy.
"""
