# sync stage: nothing here yet (see docs/architecture.md).
