"""The build, the top layer: the command line, planning and fingerprints, the manifest, the local process pool
or a Dask cluster, the workers and their warm kernels, and every write into the output folder.

Owns: `cli` (parse and delegate), `jobs` (the types client and workers share), `plan`, `fingerprints`,
`manifest`, `files` (atomic writes, the output lock), `runner` (the client), `worker` and `engine` (a worker
and its warm kernel), `cluster` (Dask, imported only for `--scheduler`).

May import every layer below. The client (`runner`, `plan`, `cluster`) and the worker (`worker`, `engine`) share
`jobs` and never import each other.
"""
