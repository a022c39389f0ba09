-- SPDX-License-Identifier: GPL-2.0
-- Links in docs/*.md point at .md files so that they work when the
-- Markdown is read in the tree. In build/docs/*.html they must point at
-- the rendered pages, and "../" must climb one directory more.
function Link(el)
  local t = el.target
  if t:match("^%a[%w+.-]*:") or t:match("^#") then
    return el                                   -- URL or anchor
  end
  if t:match("^%.%./userspace/tvmm%.1$") then
    el.target = "tvmm.1.html"
  elseif t:match("^%.%./userspace/tvmm%.it%.1$") then
    el.target = "tvmm.it.1.html"                -- the Italian man page
  elseif t:match("^[^/]+%.md$") or t:match("^[^/]+%.md#") then
    el.target = t:gsub("%.md", ".html", 1)      -- a sibling page
  elseif t:match("^%.%./") then
    el.target = "../" .. t                      -- the rest of the tree
  end
  return el
end
