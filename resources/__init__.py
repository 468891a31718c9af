"""Parley's bundled files (icons), installed as the package `parley_resources`.

pyproject.toml maps this folder to that package name; read it through
`app.core.resources`, which also finds it in a source checkout.
"""
