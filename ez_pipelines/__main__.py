"""`python -m ez_pipelines` is the `ez-pipelines` command."""

from ez_pipelines.cli import main

main()
