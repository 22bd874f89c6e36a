from landing_zone.cli import main

main()
