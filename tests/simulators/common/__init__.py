"""What every simulator shares: the server that serves one on loopback (`server`), faults on demand
(`faults`), the log of the requests served (`log`) and pieces of their command lines (`cli`). A simulator adds
its API, its state and its control endpoints' own answers; see tests/simulators/checkmk for the first and
tests/simulators/opsview for the second."""
