from fpcli.cli.main import main

main()
