/**
 * Lua: the scripts' clock. The pinned clock (tests) when not ''; otherwise the
 * server's TIME, so all gateway instances share one clock whatever their own
 * drift.
 */
export const NOW_LUA = `
local function now_ms(pinned)
  if pinned ~= '' then return tonumber(pinned) end
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
`;
