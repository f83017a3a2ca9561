"""`elbd lb|listener|pool|member|...`: the resource CLI, a client of a running elbd's HTTP API.

- connection.py: where elbd answers and with which credentials (environment, then a config file)
- client.py: requests, signed with AK/SK as the SDK signs them or carrying a token
- kinds.py: each resource's paths, body keys and table columns
- fields.py: `FIELD=VALUE` arguments as a request body
- output.py: tables by default, JSON with --json
- exit_codes.py: what a script can test
- status_tree.py: `elbd lb status ID` as a tree
- member_import.py, progress.py: `elbd member import FILE`
- commands.py: the typer commands that tie them together
"""
