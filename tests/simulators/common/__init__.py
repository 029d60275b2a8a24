"""What every simulator shares: the server that serves one on loopback (`server`), faults on demand
(`faults`) and the log of the requests served (`log`). A simulator adds its API, its state and its control
endpoints' own answers; see tests/simulators/checkmk for the first."""
