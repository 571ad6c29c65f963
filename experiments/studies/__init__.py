"""Studies that read a run or a data set: metric validity on corruptions and on the systems'
outputs, the reading probe, the meta-evaluation on human judgements, ablation sweeps and the
field's benchmarks."""
