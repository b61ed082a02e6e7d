-- wrk script: POST a 1 KiB support-form ticket as JSON, from 1,000 customers in turn (records are
-- keyed by customer, so the load spreads over the topics' partitions as real traffic does).
-- The requests are made once per thread in init(), when wrk knows the Host header to send.
local requests, next_request = {}, 0

function init(args)
  local message = string.rep("My order has not arrived yet and the tracking page shows no update. ", 13)
  for i = 1, 1000 do
    local body = '{"name":"Bench Customer","email":"customer-' .. i .. '@example.com","subject":"Where is my order?","message":"'
        .. message .. '","orderNumber":"B-' .. i .. '"}'
    requests[i] = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end
