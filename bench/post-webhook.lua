-- wrk script: POST a signed Standard Webhooks event (about 1 KiB, from 1,000 customers in turn) to
-- /webhooks/bench, each with a webhook-id of its own (the edge dedup would answer a repeated id without publishing it).
-- The HMAC-SHA256 signature is computed per request through LuaJIT's FFI in OpenSSL's libcrypto,
-- so signing costs the load generator microseconds, not a Lua SHA-256.
-- BENCH_WEBHOOK_KEY_HEX: the secret's key bytes in hex (the part after whsec_, base64-decoded).
local ffi = require("ffi")
ffi.cdef [[
  const void *EVP_sha256(void);
  unsigned char *HMAC(const void *md, const void *key, int key_len, const unsigned char *d, size_t n,
                      unsigned char *md_out, unsigned int *md_len);
  int EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n);
]]
local crypto = ffi.load("libcrypto.so.3")
local key_hex = assert(os.getenv("BENCH_WEBHOOK_KEY_HEX"), "BENCH_WEBHOOK_KEY_HEX is not set")
local key = key_hex:gsub("..", function(h) return string.char(tonumber(h, 16)) end)
local mac, mac_len, b64 = ffi.new("unsigned char[32]"), ffi.new("unsigned int[1]"), ffi.new("unsigned char[48]")

local message = string.rep("My order has not arrived yet and the tracking page shows no update. ", 13)
local bodies = {}
for i = 1, 1000 do
  bodies[i] = '{"type":"support.message","data":{"customer":{"email":"customer-' .. i .. '@example.com","name":"Bench Customer"},'
      .. '"subject":"Where is my order?","message":"' .. message .. '"}}'
end

-- ids unique across threads and across runs: the start time, the thread's number, a counter
local threads, counter = 0, 0
local started = tostring(os.time())

function setup(thread)
  threads = threads + 1
  thread:set("thread_prefix", "msg_" .. started .. "_" .. threads .. "_")
end

function request()
  counter = counter + 1
  local body = bodies[counter % #bodies + 1]
  local id = thread_prefix .. counter
  local timestamp = tostring(os.time())
  local signed = id .. "." .. timestamp .. "." .. body
  crypto.HMAC(crypto.EVP_sha256(), key, #key, signed, #signed, mac, mac_len)
  local n = crypto.EVP_EncodeBlock(b64, mac, 32)
  local headers = {
    ["Content-Type"] = "application/json",
    ["webhook-id"] = id,
    ["webhook-timestamp"] = timestamp,
    ["webhook-signature"] = "v1," .. ffi.string(b64, n),
  }
  return wrk.format("POST", nil, headers, body)
end
