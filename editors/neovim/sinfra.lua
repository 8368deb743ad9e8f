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
--
-- Highlighting: when a `sinfra` tree-sitter parser is installed (built from
-- editors/tree-sitter-sinfra, see README.md), sinfra buffers are highlighted
-- with it, using the queries on the runtime path or else those of
-- editors/tree-sitter-sinfra/queries (`queries` option; found next to this
-- file in a checkout). Without a parser nothing changes.

local sinfra = {
  defaults = {
    cmd = { "sinfra-lsp" },
    root_markers = { "sinfra.toml" },
    -- editors/tree-sitter-sinfra/queries, for when no queries/sinfra/*.scm
    -- are on the runtime path (nil: look next to this file).
    queries = nil,
    -- false: never start tree-sitter highlighting.
    treesitter = true,
  },
}

-- The directory holding the grammar's queries: `opts.queries`, or
-- ../tree-sitter-sinfra/queries next to this file when it is read from a checkout.
local function queries_dir(opts)
  if opts.queries then
    return opts.queries
  end
  local source = debug.getinfo(1, "S").source
  if source:sub(1, 1) ~= "@" then
    return nil
  end
  local dir = vim.fs.dirname(vim.fs.dirname(vim.fn.fnamemodify(source:sub(2), ":p")))
  local candidate = dir .. "/tree-sitter-sinfra/queries"
  return vim.fn.isdirectory(candidate) == 1 and candidate or nil
end

-- Tree-sitter highlighting for a buffer, when a `sinfra` parser is installed.
-- Every step is guarded: a missing or broken parser leaves the buffer as it was.
local queries_loaded = false
local function start_treesitter(bufnr, opts)
  if not opts.treesitter or not vim.treesitter or not vim.treesitter.start then
    return
  end
  if #vim.api.nvim_get_runtime_file("parser/sinfra.*", false) == 0 then
    return
  end
  if not queries_loaded then
    queries_loaded = true
    local dir = queries_dir(opts)
    if dir and #vim.api.nvim_get_runtime_file("queries/sinfra/highlights.scm", false) == 0 then
      for _, name in ipairs({ "highlights", "indents", "folds", "locals" }) do
        local file = dir .. "/" .. name .. ".scm"
        if vim.fn.filereadable(file) == 1 then
          pcall(vim.treesitter.query.set, "sinfra", name, table.concat(vim.fn.readfile(file), "\n"))
        end
      end
    end
  end
  pcall(vim.treesitter.start, bufnr, "sinfra")
end

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
      start_treesitter(args.buf, opts)
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
