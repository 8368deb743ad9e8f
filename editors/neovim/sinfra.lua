-- sinfra for Neovim: the `sinfra` filetype for `*.sinfra` files and the
-- `sinfra-lsp` language server for them.
--
-- Use it one of three ways (see README.md):
--   * paste this file into init.lua;
--   * copy it to ~/.config/nvim/lua/sinfra.lua and `require("sinfra")`;
--   * `require("sinfra").setup({ cmd = { "/path/to/sinfra-lsp" } })` to
--     change the command (the defaults are set up on load already).
--
-- Neovim 0.11+ uses vim.lsp.config/vim.lsp.enable; 0.9 and 0.10 start the
-- server with vim.lsp.start from a FileType autocmd.

local sinfra = {
  defaults = {
    cmd = { "sinfra-lsp" },
    root_markers = { "sinfra.toml" },
  },
}

-- The project root of a buffer: the nearest directory above it holding a root marker.
local function find_root(bufnr, markers)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local dir = path ~= "" and vim.fs.dirname(path) or vim.fn.getcwd()
  local found = vim.fs.find(markers, { upward = true, path = dir })[1]
  return found and vim.fs.dirname(found) or dir
end

function sinfra.setup(opts)
  opts = vim.tbl_extend("force", sinfra.defaults, opts or {})
  local group = vim.api.nvim_create_augroup("sinfra", { clear = true })

  vim.filetype.add({ extension = { sinfra = "sinfra" } })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "sinfra",
    callback = function(args)
      vim.bo[args.buf].commentstring = "// %s"
      vim.bo[args.buf].comments = "://!,:///,://"
    end,
  })

  if vim.lsp.config and vim.lsp.enable then
    -- Neovim 0.11+.
    vim.lsp.config("sinfra", {
      cmd = opts.cmd,
      filetypes = { "sinfra" },
      root_markers = opts.root_markers,
    })
    vim.lsp.enable("sinfra")
  else
    -- Neovim 0.9 and 0.10: one client per project root, reused across its buffers.
    vim.api.nvim_create_autocmd("FileType", {
      group = group,
      pattern = "sinfra",
      callback = function(args)
        vim.lsp.start({
          name = "sinfra",
          cmd = opts.cmd,
          root_dir = find_root(args.buf, opts.root_markers),
        }, { bufnr = args.buf })
      end,
    })
  end
end

-- `require("sinfra")` finds this table even when the file was sourced or pasted.
package.loaded.sinfra = sinfra
sinfra.setup()
