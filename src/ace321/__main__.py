from ace321.cli.app import main

main()
