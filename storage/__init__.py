"""Where claims live: object storage for files, a relational database for everything else."""
