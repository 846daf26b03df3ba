package estimator

// BandGate is freshSeedCoverage for the external tests (the band
// coverage gates of TestBandCoverageFreshSeed and checkBandCoverage are
// one rule: issue 12's 88-95% widened by about one sigma of a cell's
// spread).
var BandGate = freshSeedCoverage
