"""What the tests share, one module per job; tests import them as `from support.cli import igops` (pyproject's
pytest `pythonpath` puts tests/ on the import path).

    emulator          the one sandbox factory (new_sandbox), the one test TOKEN, in-process calls, HTTP
    bodies            write-shape experience bodies, as igops or the dashboard sends them
    files             small valid experience files, one per type
    strategies        Hypothesis strategies for experience files
    schema_strategies experience files generated from the file schema itself, every block included
    engine            desired experiences, plans and clients against an in-process emulator
    cli               the igops command in tests: a copy of the examples, a seeded account
    apply             what the apply tests share: routing the CLI to an emulator, the examples' history
    results           projects whose experiences have results in the emulator
    analytics         the analytics tests' fixed clock and read-shape experiences
    processes         igops as a separate process: free ports, serving, stopping it
    plans             hand-built plans for the renderers, and the golden-file check
    plan_strategies   Hypothesis strategies for arbitrary plans
    untrusted         checking that hostile text stays inert on a terminal and in markdown
    openapi           validation against the published API description
    schema_compare    the file schema compared field by field with the API's create schema
    api_shape         an experience file turned into a POST /experiences body
    state_workers     process entry points for the shared-state tests (spawned children import them)
    workflows         the GitHub workflows and the composite action, read as GitHub does
    act               running the workflows with act, with the stand-ins of tests/standins

Left outside: tests/sandbox/request_schema_source.py (a script, named in the generated
igops/sandbox/request_schemas.py) and tests/standins/ (what act runs in place of third-party actions).
"""
