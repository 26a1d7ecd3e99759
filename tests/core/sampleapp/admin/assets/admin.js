admin asset
