"""``fieldsolver serve``: a local calculator page (Starlette + uvicorn, server-rendered HTML and a
little plain JavaScript). The web framework is imported in this package only (an import-linter
contract); everything it computes comes from the library.

Modules: :mod:`.catalogue` (templates, materials, units for the form), :mod:`.inputs` (what a
request may hold: sizes, YAML guards, a section from the form or a paste), :mod:`.preview` (a
cross-section as SVG), :mod:`.work` (what a worker process runs: a solve, a goal seek),
:mod:`.jobs` (the worker processes: time limit, node budget, cancel and supersede), :mod:`.app`
(the routes) and :mod:`.server` (uvicorn).
"""
