"""The office's own workbooks: the wide 年度目标下达表 (``targets``) and a district's
填报模板 for one period (``template``). Each builds its sheet and reads a filled one back into
the arguments of a service, listing each problem with its cell; the services decide.
"""
