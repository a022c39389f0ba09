-- SPDX-License-Identifier: GPL-2.0
-- Measured numbers are not typed into the pages: a page says
-- {{minios.exits}} and this filter puts in the figure that `make figures`
-- measured in the lab VM (build/figures/numbers.json, flattened to
-- key<TAB>value lines in numbers.LANG.tsv with the language's number
-- format). It replaces placeholders in text, inline code, code blocks
-- (sample outputs) and raw HTML. A key that is not in the file stops the
-- build: a typo must not reach a student as "{{minios.exit}}".
-- ({{!key}} prints "{{key}}" as it is.)
-- The file: $TVMM_FIGURES/numbers.LANG.tsv (the Makefiles set
-- TVMM_FIGURES; default ../build/figures), LANG "it" for a page *.it.md or
-- under an it/ directory, else $TVMM_NUMBERS_LANG, else "en".
local dir = os.getenv("TVMM_FIGURES") or "../build/figures"
local lang = os.getenv("TVMM_NUMBERS_LANG") or "en"
for _, input in ipairs(PANDOC_STATE.input_files or {}) do
  if input:match("%.it%.md$") or input:match("/it/") or input:match("^it/") then
    lang = "it"
  end
end
local path = dir .. "/numbers." .. lang .. ".tsv"
local values = {}

local f = io.open(path, "r")
if not f then
  error("numbers.lua: " .. path .. " is missing: run 'make figures' (it measures them in the lab VM)")
end
for line in f:lines() do
  local k, v = line:match("^([^\t]+)\t(.*)$")
  if k then
    values[k] = (v:gsub("\\(.)", function(c) return c == "n" and "\n" or c end))
  end
end
f:close()

-- {{!key}} is the escape: it prints "{{key}}" itself (a page that
-- explains the placeholders).
local function fill(s)
  return (s:gsub("{{(!?)([%w_.-]+)}}", function(bang, key)
    if bang == "!" then
      return "{{" .. key .. "}}"
    end
    local v = values[key]
    if v == nil then
      error("numbers.lua: unknown number {{" .. key .. "}}: not in " .. path ..
        " (the keys: tests/figures/README.md)")
    end
    return v
  end))
end

local function text(el)
  el.text = fill(el.text)
  return el
end

return {{
  Str = text,
  Code = text,
  CodeBlock = text,
  RawInline = text,
  RawBlock = text,
}}
