from lambdachaos._cli import main

raise SystemExit(main())
