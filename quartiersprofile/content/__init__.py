"""What a profile says, the third layer: the indicator table, the tables a build shares, the profile model, the
key findings, German text and the charts. It knows no rendering (no nbconvert, no browser, no files).

Owns: `indicators` (catalogue + observations + statistics -> the indicator table, suppression applied),
`tables` (`ProfileTables`, computed once per build), `profile` (`Profile`: the numbers one report shows),
`overview` (the city overview's numbers), `findings` (the Kernaussagen), `text` (German formatting), `charts`,
`insight*` (the Gesundheits- und Sozialindex, similar areas, targets, changes since the last report),
`projection` (the population projection of every area, its small numbers hidden), `focus` (a focus report's
numbers: a group of areas since its year of selection against the city).

May import: `quartiersprofile.model`, `quartiersprofile.stats`.
"""
