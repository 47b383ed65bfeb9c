"""The demo: the sample data of Huế and `infraledger demo`, which files it through the real API."""
