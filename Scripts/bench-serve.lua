-- wrk script for `make bench-serve`: POSTs the file $BENCH_BODY with the bearer token $BENCH_TOKEN.
local file = io.open(os.getenv("BENCH_BODY"), "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
