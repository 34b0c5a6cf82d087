-- Side A only (docker-compose.yml mounts it after the example's DDL): the publication that side B's
-- subscription `recon_sub` reads. The native stack and the testcontainers harness create the same
-- publication in prepareExampleDatabases() (src/example/example-pipeline.ts). The subscription's
-- replication slot is made by the `setup` service, as prepareExampleDatabases() makes it.
CREATE PUBLICATION recon_pub FOR TABLE public.orders;
