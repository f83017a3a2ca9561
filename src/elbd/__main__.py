from elbd.cli import app

app()
