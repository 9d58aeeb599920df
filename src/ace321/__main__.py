from ace321.cli.entry import main

main()
