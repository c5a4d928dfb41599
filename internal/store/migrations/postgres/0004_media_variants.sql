-- Crops of an image for places that want a given shape (Google's article
-- images in 16:9, 4:3 and 1:1): JSON {"4x3": {"path": …, "width": …, "height": …}, …}.
ALTER TABLE media ADD COLUMN variants TEXT NOT NULL DEFAULT '{}';
