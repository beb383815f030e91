-- wrk script: POST one line of BODIES per request; each wrk thread takes its
-- own slice of the file, so no body (and no survey nonce) is sent twice
-- while the file lasts. A line "token<TAB>body" is sent to /s/<token>; a
-- line without a tab to the URL given to wrk.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  paths, bodies = {}, {}
  for line in io.lines(os.getenv("BODIES")) do
    local tab = line:find("\t", 1, true)
    if tab then
      paths[#paths + 1] = "/s/" .. line:sub(1, tab - 1)
      bodies[#bodies + 1] = line:sub(tab + 1)
    else
      paths[#paths + 1] = false
      bodies[#bodies + 1] = line
    end
  end
  local per = math.floor(#bodies / tonumber(os.getenv("THREADS")))
  first = id * per
  n = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  local cookie = os.getenv("COOKIE")
  if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
  limit = per
  wrapped = 0
end

function request()
  n = n + 1
  if n > limit then n = 1; wrapped = wrapped + 1 end
  return wrk.format(nil, paths[first + n] or nil, nil, bodies[first + n])
end

-- "wrapped N": how many times a thread ran out of lines and started its
-- slice again (sending bodies, and survey nonces, a second time).
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (thread:get("wrapped") or 0) end
  io.write(string.format("wrapped %d\n", total))
end
