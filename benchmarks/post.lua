-- wrk script: POST one line of BODIES per request; each wrk thread takes its
-- own slice of the file, so no body (and no survey nonce) is sent twice.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  bodies = {}
  for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
  local per = math.floor(#bodies / tonumber(os.getenv("THREADS")))
  first = id * per
  n = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  local cookie = os.getenv("COOKIE")
  if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
  limit = per
end

function request()
  n = n + 1
  if n > limit then n = 1 end
  return wrk.format(nil, nil, nil, bodies[first + n])
end
