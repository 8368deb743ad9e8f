-- Headless check of sinfra.lua, run by editors/test.sh:
--   nvim --headless -u editors/neovim/sinfra.lua -c "luafile editors/neovim/test/check.lua" FILE.sinfra
-- FILE holds a tier error (E0301) and a service body with unset fields.
-- Prints what it sees and exits 0 when the server attached, published the
-- E0301 and answered a completion request with items; 1 otherwise.
-- SINFRA_CHECK_TIMEOUT_MS bounds each wait (default 60000).

local timeout = tonumber(vim.env.SINFRA_CHECK_TIMEOUT_MS) or 60000

local function say(msg)
  io.stdout:write("nvim: " .. msg .. "\n")
end

local function finish(ok, msg)
  say((ok and "ok: " or "FAIL: ") .. msg)
  io.stdout:flush()
  vim.cmd(ok and "qall!" or "cquit! 1")
end

local function clients(bufnr)
  -- vim.lsp.get_clients is 0.10+, get_active_clients its 0.9 name.
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ bufnr = bufnr })
end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  say("Neovim " .. tostring(vim.version()))
  if vim.bo[bufnr].filetype ~= "sinfra" then
    return finish(false, "filetype is '" .. vim.bo[bufnr].filetype .. "', not 'sinfra'")
  end
  say("filetype sinfra, commentstring " .. vim.bo[bufnr].commentstring)

  if not vim.wait(timeout, function() return #clients(bufnr) > 0 end, 50) then
    return finish(false, "no language client attached within " .. timeout .. " ms (is sinfra-lsp on PATH?)")
  end
  local client = clients(bufnr)[1]
  say("client '" .. client.name .. "' attached, root " .. tostring(client.config.root_dir))

  local e0301
  local got = vim.wait(timeout, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == "E0301" then
        e0301 = d
        return true
      end
    end
    return false
  end, 50)
  if not got then
    local codes = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      table.insert(codes, tostring(d.code))
    end
    return finish(false, "no E0301 within " .. timeout .. " ms (diagnostics: " .. table.concat(codes, ", ") .. ")")
  end
  say(string.format("diagnostic E0301 at %d:%d: %s", e0301.lnum + 1, e0301.col + 1, (e0301.message:gsub("\n.*", ""))))

  -- Complete on the blank line that ends the service body (the line before the
  -- first `}`): the fields the service has not set yet.
  local line = vim.fn.search("^}", "nw") - 2
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = 0 },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", params, timeout)
  local labels = {}
  for _, response in pairs(responses or {}) do
    local result = response.result or {}
    for _, item in ipairs(result.items or result) do
      table.insert(labels, item.label)
    end
  end
  if #labels == 0 then
    return finish(false, "textDocument/completion at line " .. (line + 1) .. " returned no items")
  end
  say(string.format("completion at line %d: %d items (%s, …)", line + 1, #labels, table.concat(labels, ", ", 1, math.min(5, #labels))))
  finish(true, "diagnostics and completion from sinfra-lsp")
end

local ok, err = pcall(run)
if not ok then
  finish(false, "error: " .. tostring(err))
end
