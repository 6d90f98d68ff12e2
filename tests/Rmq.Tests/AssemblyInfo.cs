// Two cores: Orleans clusters and redis-servers run one test class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
