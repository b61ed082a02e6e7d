-- wrk script: POST a 1 KiB support-form ticket as JSON.
local message = string.rep("My order has not arrived yet and the tracking page shows no update. ", 13)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Bench Customer","email":"bench@example.com","subject":"Where is my order?","message":"'
    .. message .. '","orderNumber":"B-1001"}'
