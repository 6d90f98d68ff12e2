// Two cores shared with other work: silo processes, browsers and clusters run one test class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
